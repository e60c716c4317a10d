"""dbt in this process: sessions, builds and what a build did."""
