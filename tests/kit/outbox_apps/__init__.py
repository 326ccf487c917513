"""Programs and helpers for the outbox's tests: a relay run as a real process, a throwaway
PostgreSQL cluster, and a clock the tests drive."""
