"""One module per tab of the web app; each `build(services, …)` only binds components to core calls."""
