"""The admin API of UK TV Guide: jobs, system health, logs, dead letters and Watchmode credits."""
