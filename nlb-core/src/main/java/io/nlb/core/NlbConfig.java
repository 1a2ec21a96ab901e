package io.nlb.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole desired state of an {@link Nlb} as one value: its target groups with the targets
 * registered in each, and its load balancers with their listeners. {@link Nlb#apply} makes the
 * running state match it; {@link Nlb#plan} says what that would change. This is the declarative
 * counterpart of the elbv2-style calls, for configuration files, reloads and shared state.
 *
 * <pre>{@code
 * NlbConfig desired = NlbConfig.builder()
 *     .targetGroup(TargetGroupConfig.builder("web", Protocol.TCP, 8080).targetType(TargetType.IP).build(),
 *         Target.ip("10.0.1.10"), Target.ip("10.0.2.10"))
 *     .loadBalancer(LoadBalancerConfig.builder("my-nlb")
 *         .zone(Zone.builder("zone-a").address("127.0.0.1").targetRange("10.0.1.0/24").build())
 *         .listener(ListenerConfig.builder(Protocol.TCP, 80).forwardTo("web").build())
 *         .build())
 *     .build();
 * List<NlbConfig.PlannedChange> changes = nlb.plan(desired);   // dry run
 * nlb.apply(desired);                                         // all of it, or nothing
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public final class NlbConfig {
  /**
   * One target group of the desired state and the targets registered in it.
   *
   * @param config the group's configuration
   * @param targets the targets, each at most once (by id and effective port)
   */
  public record Group(TargetGroupConfig config, List<Target> targets) {
    /**
     * Copies {@code targets}.
     *
     * @param config the group's configuration
     * @param targets the targets, each at most once (by id and effective port); copied
     */
    public Group {
      targets = List.copyOf(targets);
    }
  }

  /**
   * One change a {@link Nlb#plan} found, in the order {@link Nlb#apply} makes them.
   *
   * @param path where the change is, such as {@code loadBalancers[my-nlb].listeners[TCP:80]}
   * @param description what changes, for people
   */
  public record PlannedChange(String path, String description) {
    @Override
    public String toString() {
      return path + ": " + description;
    }
  }

  private final List<Group> groups;
  private final List<LoadBalancerConfig> loadBalancers;

  private NlbConfig(List<Group> groups, List<LoadBalancerConfig> loadBalancers) {
    this.groups = List.copyOf(groups);
    this.loadBalancers = List.copyOf(loadBalancers);
  }

  /** {@return a builder of a desired state that starts with no group and no load balancer} */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return the target groups, in the order given; unmodifiable} */
  public List<Group> targetGroups() {
    return groups;
  }

  /** {@return the load balancers, in the order given; unmodifiable} */
  public List<LoadBalancerConfig> loadBalancers() {
    return loadBalancers;
  }

  @Override
  public String toString() {
    return "NlbConfig{targetGroups=" + groups.size() + ", loadBalancers=" + loadBalancers.size() + "}";
  }

  /**
   * Collects the desired state; {@link #build()} checks it as a whole (names unique, every
   * listener forwarding to a group of this state, each group used by at most one load balancer)
   * and reports every problem at once. Not thread-safe.
   */
  public static final class Builder {
    private final List<Group> groups = new ArrayList<>();
    private final List<LoadBalancerConfig> loadBalancers = new ArrayList<>();

    Builder() {}

    /**
     * Adds a target group with the targets to register in it.
     *
     * @param config the group's configuration
     * @param targets the targets the group should have, each at most once; none leaves it empty
     * @return this builder
     */
    public Builder targetGroup(TargetGroupConfig config, Target... targets) {
      return targetGroup(config, List.of(targets));
    }

    /**
     * Adds a target group with the targets to register in it.
     *
     * @param config the group's configuration
     * @param targets the targets the group should have, each at most once; copied
     * @return this builder
     */
    public Builder targetGroup(TargetGroupConfig config, Collection<Target> targets) {
      groups.add(new Group(config, List.copyOf(targets)));
      return this;
    }

    /**
     * Adds a load balancer with its zones and listeners.
     *
     * @param config the load balancer's configuration; its listeners name groups added here
     * @return this builder
     */
    public Builder loadBalancer(LoadBalancerConfig config) {
      loadBalancers.add(config);
      return this;
    }

    /**
     * Builds the desired state.
     *
     * @return the immutable desired state, to pass to {@link Nlb#plan} or {@link Nlb#apply}
     * @throws NlbException {@code ValidationError} listing every problem, each with its path
     */
    public NlbConfig build() {
      List<String> problems = new ArrayList<>();
      Map<String, Group> byName = new LinkedHashMap<>();
      for (Group g : groups) {
        String name = g.config().name();
        if (byName.putIfAbsent(name, g) != null) {
          problems.add(Check.message("targetGroups[" + name + "]", name, "a name no other target group of the configuration uses"));
        }
        Map<String, Target> seen = new LinkedHashMap<>();
        int i = 0;
        for (Target t : g.targets()) {
          String key = t.id() + "#" + t.port().orElse(g.config().port());
          if (seen.putIfAbsent(key, t) != null) {
            problems.add(Check.message("targetGroups[" + name + "].targets[" + i + "]", t.toString(), "each target once"));
          }
          i++;
        }
      }
      Map<String, String> lbOfGroup = new LinkedHashMap<>();
      Map<String, Boolean> lbNames = new LinkedHashMap<>();
      for (LoadBalancerConfig lb : loadBalancers) {
        String path = "loadBalancers[" + lb.name() + "]";
        if (lbNames.putIfAbsent(lb.name(), Boolean.TRUE) != null) {
          problems.add(Check.message(path, lb.name(), "a name no other load balancer of the configuration uses"));
        }
        for (ListenerConfig l : lb.listeners()) {
          String field = path + "." + l.path() + ".defaultAction.targetGroup";
          if (!byName.containsKey(l.targetGroup())) {
            problems.add(Check.message(field, l.targetGroup(), "a target group of the configuration " + byName.keySet()));
            continue;
          }
          String owner = lbOfGroup.putIfAbsent(l.targetGroup(), lb.name());
          if (owner != null && !owner.equals(lb.name())) {
            problems.add(Check.message(field, l.targetGroup(), "a target group no other load balancer uses (used by " + owner + ")"));
          }
        }
      }
      if (!problems.isEmpty()) {
        throw new NlbException(ErrorCode.VALIDATION_ERROR, problems);
      }
      return new NlbConfig(groups, loadBalancers);
    }
  }
}
