"""Adapters to outside systems, one package per channel (email, sms, telegram).

Everything else talks to them through `cxm.integrations.base`: build an `OutboundMessage`,
call `get_sender(channel).send(message)`, store the `DeliveryResult`.
"""
