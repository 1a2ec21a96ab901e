package io.nlb.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnswersTest {
  private static DnsNode node(String zone, NodeState state) throws Exception {
    return new DnsNode(zone, List.of(InetAddress.getByName("192.0.2." + (zone.charAt(zone.length() - 1) - 'a' + 1))), state);
  }

  private static List<String> zones(List<DnsNode> nodes) {
    return nodes.stream().map(DnsNode::zone).toList();
  }

  @Test
  void select_servingNodes_onlyThose() throws Exception {
    assertThat(zones(Answers.select(List.of(node("a", NodeState.SERVING), node("b", NodeState.UNHEALTHY),
        node("c", NodeState.SERVING))))).containsExactly("a", "c");
  }

  @Test
  void select_noneServing_failsOpenToTheUnhealthyOnes() throws Exception {
    assertThat(zones(Answers.select(List.of(node("a", NodeState.UNHEALTHY), node("b", NodeState.SHIFTED_AWAY),
        node("c", NodeState.UNHEALTHY), node("d", NodeState.GONE))))).containsExactly("a", "c");
  }

  @Test
  void select_shiftedAndGone_neverAnswer() throws Exception {
    assertThat(Answers.select(List.of(node("a", NodeState.SHIFTED_AWAY), node("b", NodeState.GONE)))).isEmpty();
    assertThat(zones(Answers.select(List.of(node("a", NodeState.SHIFTED_AWAY), node("b", NodeState.SERVING)))))
        .containsExactly("b");
  }

  @Test
  void dnsNode_copiesItsAddresses() throws Exception {
    java.util.ArrayList<InetAddress> list = new java.util.ArrayList<>(List.of(InetAddress.getByName("192.0.2.1")));
    DnsNode n = new DnsNode("a", list, NodeState.SERVING);
    list.clear();
    assertThat(n.addresses()).hasSize(1);
  }
}
