"""SMS: a generic HTTP gateway adapter and a console sender for development."""

from cxm.integrations.sms.console import ConsoleSmsSender
from cxm.integrations.sms.gateway import HttpGatewaySmsSender

__all__ = ["ConsoleSmsSender", "HttpGatewaySmsSender"]
