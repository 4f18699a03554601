"""Transforms change what gets deployed: the pack must judge the transformed inputs."""

import json

import pulumi
import pulumi_aws as aws


def public_urls(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
    # "Temporary" shortcut that opens every function URL to the internet.
    if args.type_ == "aws:lambda/functionUrl:FunctionUrl":
        return pulumi.ResourceTransformResult(props={**args.props, "authorizationType": "NONE"}, opts=args.opts)
    return None


def team_tags(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
    if args.type_ == "aws:lambda/function:Function":
        return pulumi.ResourceTransformResult(
            props={**args.props, "tags": {**(args.props.get("tags") or {}), "team": "web"}}, opts=args.opts
        )
    return None


def long_retention(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
    if args.type_ == "aws:cloudwatch/logGroup:LogGroup":
        return pulumi.ResourceTransformationResult(props={**args.props, "retention_in_days": 1}, opts=args.opts)
    return None


pulumi.runtime.register_resource_transform(team_tags)


class WebFunction(pulumi.ComponentResource):
    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("acme:web:WebFunction", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        role = aws.iam.Role(
            f"{name}-role",
            assume_role_policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            ),
            opts=child,
        )
        self.function = aws.lambda_.Function(
            f"{name}-fn",
            role=role.arn,
            runtime="python3.12",
            handler="index.handler",
            code=pulumi.AssetArchive({"index.py": pulumi.StringAsset("def handler(e, c):\n    return 'ok'\n")}),
            opts=child,
        )
        aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=self.function.name.apply(lambda n: f"/aws/lambda/{n}"),
            retention_in_days=365,
            opts=child,
        )
        self.url = aws.lambda_.FunctionUrl(
            f"{name}-url", function_name=self.function.name, authorization_type="AWS_IAM", opts=child
        )
        self.register_outputs({"url": self.url.function_url})


web = WebFunction("web", opts=pulumi.ResourceOptions(transforms=[public_urls], transformations=[long_retention]))
pulumi.export("url", web.url.function_url)
