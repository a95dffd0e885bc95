"""LINE channel: render neutral dialog messages to LINE message objects and send them."""
