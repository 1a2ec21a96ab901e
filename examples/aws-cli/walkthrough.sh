#!/usr/bin/env bash
# The guide's "Getting started using the AWS CLI" walkthrough, run with the AWS CLI v2 against the
# nlb AWS API endpoint instead of AWS, then real traffic through the listener it created, the
# flow counted by CloudWatch, and the clean-up the guide ends with.
#
# Environment (defaults in brackets):
#   NLB_ENDPOINT   the endpoint URL                                  [http://127.0.0.1:4566]
#   NLB_SUBNET     a subnet id the endpoint maps to a zone          [subnet-0e3f5cac72EXAMPLE]
#   NLB_NODE       the node address of that subnet's zone           [127.0.0.1]
#   NLB_PORT       the listener port to create                       [8080]
#   TARGET_IP      a target that answers one line per connection    [127.0.0.1]
#   TARGET_PORT    its port                                          (required)
#   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION     an access key the endpoint knows
#   AWS_CLI        the CLI to run                                    [aws]
set -euo pipefail

NLB_ENDPOINT=${NLB_ENDPOINT:-http://127.0.0.1:4566}
NLB_SUBNET=${NLB_SUBNET:-subnet-0e3f5cac72EXAMPLE}
NLB_NODE=${NLB_NODE:-127.0.0.1}
NLB_PORT=${NLB_PORT:-8080}
TARGET_IP=${TARGET_IP:-127.0.0.1}
: "${TARGET_PORT:?TARGET_PORT: (unset) (expected: the port of a target server)}"

aws() { "${AWS_CLI:-aws}" --endpoint-url "$NLB_ENDPOINT" --output text "$@"; }

version=$("${AWS_CLI:-aws}" --version 2>&1)
case "$version" in
  aws-cli/2.*) echo "using $version" ;;
  *) echo "AWS CLI: $version (expected: aws-cli/2.x)" >&2; exit 2 ;;
esac

# 1. The target group (ip targets here: the endpoint has no EC2 instances to resolve).
TG_ARN=$(aws elbv2 create-target-group --name my-targets --protocol TCP --port "$TARGET_PORT" \
  --target-type ip --vpc-id vpc-0598c7d356EXAMPLE --query 'TargetGroups[0].TargetGroupArn')
echo "target group: $TG_ARN"

# 2. Register the target.
aws elbv2 register-targets --target-group-arn "$TG_ARN" --targets "Id=$TARGET_IP,Port=$TARGET_PORT"

# 3. The load balancer, in the subnet the endpoint maps to a zone and node address.
LB_ARN=$(aws elbv2 create-load-balancer --name my-load-balancer --type network --subnets "$NLB_SUBNET" \
  --query 'LoadBalancers[0].LoadBalancerArn')
echo "load balancer: $LB_ARN"
aws elbv2 describe-load-balancers --load-balancer-arns "$LB_ARN" \
  --query 'LoadBalancers[0].[DNSName,AvailabilityZones[0].ZoneName,AvailabilityZones[0].LoadBalancerAddresses[0].IpAddress]'

# 4. The listener, forwarding to the target group.
LISTENER_ARN=$(aws elbv2 create-listener --load-balancer-arn "$LB_ARN" --protocol TCP --port "$NLB_PORT" \
  --default-actions "Type=forward,TargetGroupArn=$TG_ARN" --query 'Listeners[0].ListenerArn')
echo "listener: $LISTENER_ARN"

# 5. Target health.
aws elbv2 describe-target-health --target-group-arn "$TG_ARN" \
  --query 'TargetHealthDescriptions[].[Target.Id,Target.Port,TargetHealth.State,TargetHealth.Reason]'

# Traffic through the listener: one line out, one line back (bash's /dev/tcp).
answer=""
for attempt in 1 2 3 4 5 6 7 8 9 10; do
  if exec 3<>"/dev/tcp/$NLB_NODE/$NLB_PORT" 2>/dev/null; then
    printf 'hello\n' >&3
    IFS= read -r -t 5 answer <&3 || true
    exec 3<&- 3>&-
    [ -n "$answer" ] && break
  fi
  sleep 0.5
done
[ -n "$answer" ] || { echo "no answer through $NLB_NODE:$NLB_PORT" >&2; exit 1; }
echo "answer: $answer"

# The flow in CloudWatch (the endpoint's metric store; its period must have closed).
LB_DIMENSION=${LB_ARN#*:loadbalancer/}
flows=0
for attempt in 1 2 3 4 5 6 7 8 9 10; do
  flows=$(aws cloudwatch get-metric-statistics --namespace AWS/NetworkELB --metric-name NewFlowCount_TCP \
    --dimensions "Name=LoadBalancer,Value=$LB_DIMENSION" --statistics Sum --period 1 \
    --start-time "$(date -u -d '-10 min' +%Y-%m-%dT%H:%M:%SZ)" --end-time "$(date -u -d '+1 min' +%Y-%m-%dT%H:%M:%SZ)" \
    --query 'sum(Datapoints[].Sum)')
  [ "${flows%.*}" -ge 1 ] 2>/dev/null && break
  sleep 1
done
echo "NewFlowCount_TCP: $flows"

# Delete, as the guide's last step does.
aws elbv2 delete-listener --listener-arn "$LISTENER_ARN"
aws elbv2 delete-load-balancer --load-balancer-arn "$LB_ARN"
aws elbv2 delete-target-group --target-group-arn "$TG_ARN"
echo "remaining load balancers: $(aws elbv2 describe-load-balancers --query 'length(LoadBalancers)')"
