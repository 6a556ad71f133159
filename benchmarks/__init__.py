"""Benchmarks of s3torchconnector against Amazon's s3torchconnector 1.5.0 and
boto3, on the same local S3 server, in the same run. See README.md."""
