"""The live transport: sockets, frames, the op pipeline, group commit, fan-out and presence.

This package speaks the protocol of docs/protocol.md and knows nothing of workshops or rooms:
it imports no app's models. Apps hand it their op tables (`live.pipeline.OpTable`) and their
consumers subclass `live.consumer.LiveConsumer`; everything they broadcast goes through
`live.events`. See docs/architecture.md for the path of an op.
"""
