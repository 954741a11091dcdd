"""What the desk sends out: signed webhook events to partner systems and WebSub hub pings,
from a persistent queue written in the transaction that publishes each change."""
