"""Source health for a desk that runs without people: each source's rhythm learned from its
history, alerts when a source falls silent for longer than usual or keeps failing, disabling a
source that fails for too long, notices by e-mail and webhook once per incident, and the
admin's health view."""
