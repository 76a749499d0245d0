"""Stand-in for the `splunk` package that exists only inside Splunk's own Python."""
