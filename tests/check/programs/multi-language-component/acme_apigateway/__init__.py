"""A generated-style SDK of a multi-language component package (like pulumi_aws_apigateway).

Only the SDK side exists in Python: the component is implemented in a provider plugin, so the
constructor registers it with ``remote=True`` and the engine asks the plugin to build its children.
The module registration is what ``pulumi gen-sdk`` emits for every package.
"""

import json

import pulumi

from .rest_api import RestAPI, RestAPIArgs

__all__ = ["RestAPI", "RestAPIArgs"]


class _Module(pulumi.runtime.ResourceModule):
    def __init__(self, mod_info: dict) -> None:
        super().__init__()
        self.mod_info = mod_info

    def version(self) -> None:
        return None

    def construct(self, name: str, typ: str, urn: str) -> pulumi.Resource:
        return RestAPI(name, pulumi.ResourceOptions(urn=urn))


# What `pulumi gen-sdk` emits: the package's resource modules, registered as JSON.
_MODULES = json.loads(
    '[{"pkg": "acme-apigateway", "mod": "index", "fqn": "acme_apigateway",'
    ' "classes": {"acme-apigateway:index:RestAPI": "RestAPI"}}]'
)
for _info in _MODULES:
    pulumi.runtime.register_resource_module(_info["pkg"], _info["mod"], _Module(_info))
