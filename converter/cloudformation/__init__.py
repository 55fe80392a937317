"""CloudFormation evaluation: Conditions, Fn::If with AWS::NoValue, and the intrinsics of known values."""
