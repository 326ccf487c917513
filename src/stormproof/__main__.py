from stormproof.cli.main import main

main()
