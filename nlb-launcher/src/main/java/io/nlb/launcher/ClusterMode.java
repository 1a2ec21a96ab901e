package io.nlb.launcher;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nlb.cluster.ClusterNode;
import io.nlb.cluster.ClusterSettings;
import io.nlb.cluster.DesiredStateApplier;
import io.nlb.cluster.MemberState;
import io.nlb.core.LoadBalancer;
import io.nlb.core.Nlb;
import io.nlb.core.NlbConfig;
import io.nlb.core.NlbException;
import io.nlb.core.TargetGroup;
import io.nlb.core.TargetHealthDescription;
import io.nlb.core.TargetHealthState;
import io.nlb.core.Zone;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The launcher as a member of a cluster ({@code cluster:} in its file): the shared document is the
 * file's {@code targetGroups} and {@code loadBalancers}; a revision of it is merged with this
 * process's own keys and applied as a reload ({@link ConfigReloader#reload(LauncherConfig)}, one
 * {@code Nlb.apply}); the member state is read from the running {@link Nlb}. Package-private glue.
 */
final class ClusterMode {
  private static final Logger log = LoggerFactory.getLogger(ClusterMode.class);

  private ClusterMode() {}

  /** Joins the cluster: seeds or applies the shared configuration, then publishes and watches. */
  static ClusterNode start(Launcher launcher, LauncherConfig file, ClusterSettings settings, @Nullable ConsensusRouting routing)
      throws InterruptedException {
    DesiredStateApplier applier = new DesiredStateApplier() {
      @Override
      public void apply(ObjectNode document, long revision) {
        LauncherConfig next = file.withShared(document);
        String api = ClusterApiState.apiState(document);
        ConfigReloader.Result r = launcher.reloader().reload(next, sharedApi(launcher, api));
        if (!r.refused().isEmpty()) {
          throw new IllegalStateException("refused: " + String.join("; ", r.refused()));
        }
        if (r.failure() != null) {
          throw new IllegalStateException(r.failure());
        }
        launcher.awsApiServer().ifPresent(s -> s.sharedStateApplied(api));
      }

      @Override
      public List<String> check(ObjectNode document) {
        try {
          LauncherConfig next = file.withShared(document);
          ConfigReloader.desired(next, sharedApi(launcher, ClusterApiState.apiState(document)));
          return List.of();
        } catch (LauncherConfig.ConfigException e) {
          return e.problems();
        } catch (NlbException e) {
          return e.problems();
        } catch (IllegalStateException e) {
          return List.of(String.valueOf(e.getMessage()));
        }
      }
    };
    Nlb nlb = launcher.nlb();
    ClusterNode.Builder b = ClusterNode.builder(settings).applier(applier).seed(file.sharedDocument())
        .memberState(() -> memberState(settings.nodeName(), nlb, file.cluster().zones(), routing));
    if (routing != null) {
      b.onViewChange(routing::reconcile);
    }
    ClusterNode node = b.start();
    log.info("cluster: {}", node.clusterStatus().summary());
    return node;
  }

  /**
   * What the AWS API created, as the shared document holds it, as desired state: empty without
   * records; refused on a node without an {@code awsApi} section when there are some (its
   * subnets and certificates are what the records name).
   */
  static NlbConfig sharedApi(Launcher launcher, String apiState) {
    if (apiState.isEmpty()) {
      return NlbConfig.builder().build();
    }
    return launcher.awsApiServer().map(s -> s.desiredState(apiState)).orElseThrow(() -> new IllegalStateException(
        LauncherConfig.API_STATE_KEY + ": records of the AWS API (expected: an awsApi section on every node, with the same"
            + " subnets and certificates, to run what the API created)"));
  }

  /**
   * A reload of the file in cluster mode (SIGHUP, an edit): its shared keys become the cluster's
   * document by compare-and-swap, and every node, this one included, applies them from etcd. What
   * the AWS API created stays as the document holds it.
   */
  static ConfigReloader.Result publish(ClusterNode node, LauncherConfig next) {
    try {
      long revision = node.update(current -> {
        ObjectNode doc = next.sharedDocument();
        if (current.has(LauncherConfig.API_STATE_KEY)) {
          doc.set(LauncherConfig.API_STATE_KEY, current.get(LauncherConfig.API_STATE_KEY));
        }
        return doc;
      }).revision();
      log.info("reload: the file's targetGroups and loadBalancers written to the cluster as revision {}", revision);
      return new ConfigReloader.Result(List.of(), List.of("cluster: configuration revision " + revision), null, List.of());
    } catch (IllegalArgumentException e) {
      log.warn("reload refused: {}", e.getMessage());
      return new ConfigReloader.Result(List.of(String.valueOf(e.getMessage())), List.of(), null, List.of());
    } catch (io.nlb.cluster.EtcdException e) {
      String why = "cluster: etcd unreachable, the file was not shared (" + e.getMessage() + "); reload again when etcd is back";
      log.warn("reload: {}", why);
      return new ConfigReloader.Result(List.of(), List.of(), why, List.of());
    }
  }

  /**
   * What this process publishes: its node addresses (serving when in the DNS answer) and its own
   * view of target health (its health checks', from {@code routing} when routing follows the
   * consensus, since the {@link Nlb} then holds the consensus). Only the zones it runs ({@code
   * node.zones}; all when {@code served} is null) are its node addresses: a zone whose processes
   * are all gone then leaves the DNS answer.
   */
  static MemberState memberState(String name, Nlb nlb, @Nullable Set<String> served, @Nullable ConsensusRouting routing) {
    List<MemberState.Endpoint> endpoints = new ArrayList<>();
    for (LoadBalancer lb : nlb.loadBalancers()) {
      Set<String> serving = Set.copyOf(lb.dnsRecords().zones());
      for (Zone z : lb.zones()) {
        if (served != null && !served.contains(z.name())) {
          continue;
        }
        for (InetAddress a : z.addresses()) {
          endpoints.add(new MemberState.Endpoint(lb.name(), lb.dnsName(), z.name(), a.getHostAddress(), serving.contains(z.name())));
        }
      }
    }
    if (routing != null) {
      return new MemberState(name, endpoints, routing.ownStates());
    }
    Map<String, Map<String, TargetHealthState>> targets = new LinkedHashMap<>();
    for (TargetGroup g : nlb.targetGroups()) {
      Map<String, TargetHealthState> states = new LinkedHashMap<>();
      for (TargetHealthDescription d : g.describeTargetHealth()) {
        states.put(d.target().id() + ":" + d.target().port().orElse(g.port()), d.health().state());
      }
      targets.put(g.name(), states);
    }
    return new MemberState(name, endpoints, targets);
  }
}
