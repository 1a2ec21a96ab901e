package io.nlb.core;

import io.nlb.common.WireNames;
import org.jspecify.annotations.Nullable;

/**
 * The error codes of {@link NlbException}, named as the elbv2 API names its faults so that code
 * ported from the cloud API can switch on the same names.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public enum ErrorCode {
  /** A value is malformed or out of range; the message names the field, the value and the rule. */
  VALIDATION_ERROR,
  /** A load balancer with that name exists. */
  DUPLICATE_LOAD_BALANCER_NAME,
  /** A target group with that name exists. */
  DUPLICATE_TARGET_GROUP_NAME,
  /** A listener with that protocol family and port exists on the load balancer. */
  DUPLICATE_LISTENER,
  /** A tag key was given twice in one request. */
  DUPLICATE_TAG_KEYS,
  /** The load-balancers quota would be exceeded. */
  TOO_MANY_LOAD_BALANCERS,
  /** The target-groups quota would be exceeded. */
  TOO_MANY_TARGET_GROUPS,
  /** A listeners quota would be exceeded. */
  TOO_MANY_LISTENERS,
  /** A targets quota (per group, per load balancer or per zone) would be exceeded. */
  TOO_MANY_TARGETS,
  /** An ALB endpoint would be registered behind more load balancers than allowed. */
  TOO_MANY_REGISTRATIONS_FOR_TARGET_ID,
  /** The tags quota would be exceeded. */
  TOO_MANY_TAGS,
  /** The certificates quota would be exceeded. */
  TOO_MANY_CERTIFICATES,
  /** An action would forward to more target groups than allowed. */
  TOO_MANY_ACTIONS,
  /** Listener protocol, target group protocol, target type and health-check protocol do not fit. */
  INCOMPATIBLE_PROTOCOLS,
  /** The protocol is not supported here (for example UDP on a dualstack load balancer). */
  UNSUPPORTED_PROTOCOL,
  /** A target cannot be registered (wrong address family, unknown instance, bad port, ...). */
  INVALID_TARGET,
  /** A combination of otherwise valid settings is not allowed. */
  INVALID_CONFIGURATION_REQUEST,
  /** The operation is not allowed in the current state (deletion protection, zonal shift, ...). */
  OPERATION_NOT_PERMITTED,
  /** The resource is used by another and cannot be changed or removed yet. */
  RESOURCE_IN_USE,
  /** The target group is already used by a listener of another load balancer. */
  TARGET_GROUP_ASSOCIATION_LIMIT,
  /** No such load balancer. */
  LOAD_BALANCER_NOT_FOUND,
  /** No such target group. */
  TARGET_GROUP_NOT_FOUND,
  /** No such listener. */
  LISTENER_NOT_FOUND,
  /** No such certificate on the listener. */
  CERTIFICATE_NOT_FOUND,
  /** No security policy of that name. */
  SSL_POLICY_NOT_FOUND("SSLPolicyNotFound"),
  /** No ALPN policy of that name. */
  ALPN_POLICY_NOT_SUPPORTED("ALPNPolicyNotSupported"),
  /** A zone is not known to the load balancer. */
  AVAILABILITY_ZONE_NOT_SUPPORTED,
  /** The data plane could not apply the change (for example, an address could not be bound). */
  INTERNAL_FAILURE;

  private final String apiName;

  ErrorCode() {
    this(null);
  }

  ErrorCode(@Nullable String irregularName) {
    this.apiName = irregularName != null ? irregularName : WireNames.pascalCase(name());
  }

  /** {@return the fault name as the elbv2 API spells it ({@code TooManyTargets})} */
  public String apiName() {
    return apiName;
  }

  @Override
  public String toString() {
    return apiName;
  }
}
