"""Small services that the kit's tests run in process or as real servers."""
