"""The newsroom: sources, stories and their versions, and the services that apply core decisions."""
