from collections.abc import Sequence
from typing import Any

import pulumi


@pulumi.input_type
class RestAPIArgs:
    def __init__(
        __self__,
        *,
        routes: pulumi.Input[Sequence[Any]] | None = None,
        stage_name: pulumi.Input[str] | None = None,
    ):
        if routes is not None:
            pulumi.set(__self__, "routes", routes)
        if stage_name is not None:
            pulumi.set(__self__, "stage_name", stage_name)


class RestAPI(pulumi.ComponentResource):
    def __init__(
        __self__,
        resource_name: str,
        opts: pulumi.ResourceOptions | None = None,
        routes: pulumi.Input[Sequence[Any]] | None = None,
        stage_name: pulumi.Input[str] | None = None,
    ) -> None:
        # As `pulumi gen-sdk` writes it: an input-type instance carries the names and types.
        __props__ = RestAPIArgs.__new__(RestAPIArgs)
        __props__.__dict__["routes"] = routes
        __props__.__dict__["stage_name"] = stage_name
        __props__.__dict__["url"] = None
        __props__.__dict__["execution_arn"] = None
        super().__init__("acme-apigateway:index:RestAPI", resource_name, __props__, opts, remote=True)

    @property
    @pulumi.getter
    def url(self) -> pulumi.Output[str]:
        """The URL of the deployed stage."""
        return pulumi.get(self, "url")

    @property
    @pulumi.getter(name="executionArn")
    def execution_arn(self) -> pulumi.Output[str]:
        return pulumi.get(self, "execution_arn")
