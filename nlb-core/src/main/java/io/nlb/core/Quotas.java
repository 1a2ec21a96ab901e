package io.nlb.core;

/**
 * The limits an {@link Nlb} enforces, with the documented defaults of the cloud service. Each is
 * adjustable, because an embedded load balancer answers to its application, not to an account.
 *
 * <pre>{@code
 * Quotas q = Quotas.builder().targetsPerTargetGroup(5000).build();
 * Nlb nlb = Nlb.builder().quotas(q).build();
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public final class Quotas {
  private static final Quotas DEFAULTS = builder().build();

  private final int loadBalancers;
  private final int targetGroups;
  private final int listenersPerLoadBalancer;
  private final int targetsPerLoadBalancer;
  private final int targetsPerZonePerLoadBalancer;
  private final int targetsPerTargetGroup;
  private final int certificatesPerLoadBalancer;
  private final int targetGroupsPerAction;
  private final int loadBalancersPerAlbEndpoint;

  private Quotas(Builder b) {
    loadBalancers = b.loadBalancers;
    targetGroups = b.targetGroups;
    listenersPerLoadBalancer = b.listenersPerLoadBalancer;
    targetsPerLoadBalancer = b.targetsPerLoadBalancer;
    targetsPerZonePerLoadBalancer = b.targetsPerZonePerLoadBalancer;
    targetsPerTargetGroup = b.targetsPerTargetGroup;
    certificatesPerLoadBalancer = b.certificatesPerLoadBalancer;
    targetGroupsPerAction = b.targetGroupsPerAction;
    loadBalancersPerAlbEndpoint = b.loadBalancersPerAlbEndpoint;
  }

  /** {@return the documented defaults} */
  public static Quotas defaults() {
    return DEFAULTS;
  }

  /**
   * Starts from the documented defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return load balancers per {@link Nlb} (default 50)} */
  public int loadBalancers() {
    return loadBalancers;
  }

  /** {@return target groups per {@link Nlb} (default 3000)} */
  public int targetGroups() {
    return targetGroups;
  }

  /** {@return listeners per load balancer (default 50)} */
  public int listenersPerLoadBalancer() {
    return listenersPerLoadBalancer;
  }

  /** {@return targets per load balancer, a target in N groups counting N times (default 3000)} */
  public int targetsPerLoadBalancer() {
    return targetsPerLoadBalancer;
  }

  /** {@return targets per zone per load balancer, a target in N groups counting N times (default 500)} */
  public int targetsPerZonePerLoadBalancer() {
    return targetsPerZonePerLoadBalancer;
  }

  /** {@return instance or IP targets per target group (default 1000)} */
  public int targetsPerTargetGroup() {
    return targetsPerTargetGroup;
  }

  /** {@return certificates per load balancer, default certificates included (default 25)} */
  public int certificatesPerLoadBalancer() {
    return certificatesPerLoadBalancer;
  }

  /** {@return target groups one listener action forwards to: 1, as in the service (not adjustable)} */
  public int targetGroupsPerAction() {
    return targetGroupsPerAction;
  }

  /** {@return load balancers one ALB endpoint may sit behind, through separate groups (default 2)} */
  public int loadBalancersPerAlbEndpoint() {
    return loadBalancersPerAlbEndpoint;
  }

  @Override
  public String toString() {
    return "Quotas{loadBalancers=" + loadBalancers + ", targetGroups=" + targetGroups
        + ", listenersPerLoadBalancer=" + listenersPerLoadBalancer
        + ", targetsPerLoadBalancer=" + targetsPerLoadBalancer
        + ", targetsPerZonePerLoadBalancer=" + targetsPerZonePerLoadBalancer
        + ", targetsPerTargetGroup=" + targetsPerTargetGroup
        + ", certificatesPerLoadBalancer=" + certificatesPerLoadBalancer
        + ", targetGroupsPerAction=" + targetGroupsPerAction
        + ", loadBalancersPerAlbEndpoint=" + loadBalancersPerAlbEndpoint + "}";
  }

  /** Builds {@link Quotas}; every setter takes a positive count. Not thread-safe. */
  public static final class Builder {
    private int loadBalancers = 50;
    private int targetGroups = 3000;
    private int listenersPerLoadBalancer = 50;
    private int targetsPerLoadBalancer = 3000;
    private int targetsPerZonePerLoadBalancer = 500;
    private int targetsPerTargetGroup = 1000;
    private int certificatesPerLoadBalancer = 25;
    private final int targetGroupsPerAction = 1;
    private int loadBalancersPerAlbEndpoint = 2;

    Builder() {}

    private static int positive(String field, int v) {
      return Check.range(field, v, 1, Integer.MAX_VALUE);
    }

    /**
     * See {@link Quotas#loadBalancers()}.
     *
     * @param v the new value
     * @return this builder
     */
    public Builder loadBalancers(int v) {
      loadBalancers = positive("loadBalancers", v);
      return this;
    }

    /**
     * See {@link Quotas#targetGroups()}.
     *
     * @param v the new value
     * @return this builder
     */
    public Builder targetGroups(int v) {
      targetGroups = positive("targetGroups", v);
      return this;
    }

    /**
     * See {@link Quotas#listenersPerLoadBalancer()}.
     *
     * @param v the new value
     * @return this builder
     */
    public Builder listenersPerLoadBalancer(int v) {
      listenersPerLoadBalancer = positive("listenersPerLoadBalancer", v);
      return this;
    }

    /**
     * See {@link Quotas#targetsPerLoadBalancer()}.
     *
     * @param v the new value
     * @return this builder
     */
    public Builder targetsPerLoadBalancer(int v) {
      targetsPerLoadBalancer = positive("targetsPerLoadBalancer", v);
      return this;
    }

    /**
     * See {@link Quotas#targetsPerZonePerLoadBalancer()}.
     *
     * @param v the new value
     * @return this builder
     */
    public Builder targetsPerZonePerLoadBalancer(int v) {
      targetsPerZonePerLoadBalancer = positive("targetsPerZonePerLoadBalancer", v);
      return this;
    }

    /**
     * See {@link Quotas#targetsPerTargetGroup()}.
     *
     * @param v the new value
     * @return this builder
     */
    public Builder targetsPerTargetGroup(int v) {
      targetsPerTargetGroup = positive("targetsPerTargetGroup", v);
      return this;
    }

    /**
     * See {@link Quotas#certificatesPerLoadBalancer()}.
     *
     * @param v the new value
     * @return this builder
     */
    public Builder certificatesPerLoadBalancer(int v) {
      certificatesPerLoadBalancer = positive("certificatesPerLoadBalancer", v);
      return this;
    }

    /**
     * See {@link Quotas#loadBalancersPerAlbEndpoint()}.
     *
     * @param v the new value
     * @return this builder
     */
    public Builder loadBalancersPerAlbEndpoint(int v) {
      loadBalancersPerAlbEndpoint = positive("loadBalancersPerAlbEndpoint", v);
      return this;
    }

    /**
     * Builds the quotas.
     *
     * @return the new {@code Quotas}
     */
    public Quotas build() {
      return new Quotas(this);
    }
  }
}
