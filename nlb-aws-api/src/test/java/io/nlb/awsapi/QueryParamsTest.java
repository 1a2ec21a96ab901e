package io.nlb.awsapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QueryParamsTest {
  private static QueryParams of(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return new QueryParams(m);
  }

  @Test
  void list_ordersByMemberIndex() {
    QueryParams p = of("Names.member.10", "c", "Names.member.2", "b", "Names.member.1", "a", "Other", "x");
    assertThat(p.list("Names")).containsExactly("a", "b", "c");
  }

  @Test
  void structs_groupNestedMembers() {
    QueryParams p = of("Targets.member.2.Id", "10.0.0.2", "Targets.member.1.Id", "10.0.0.1", "Targets.member.1.Port", "80",
        "DefaultActions.member.1.ForwardConfig.TargetGroups.member.1.TargetGroupArn", "arn");
    List<QueryParams> targets = p.structs("Targets");
    assertThat(targets).hasSize(2);
    assertThat(targets.get(0).asMap()).containsExactly(Map.entry("Id", "10.0.0.1"), Map.entry("Port", "80"));
    assertThat(p.structs("DefaultActions").get(0).structs("ForwardConfig.TargetGroups").get(0).required("TargetGroupArn"))
        .isEqualTo("arn");
  }

  @Test
  void keyValues_duplicateKey_isRefusedWithTheGivenCode() {
    QueryParams p = of("Tags.member.1.Key", "a", "Tags.member.1.Value", "1", "Tags.member.2.Key", "a");
    ApiException e = catchThrowableOfType(ApiException.class, () -> p.keyValues("Tags", "DuplicateTagKeys"));
    assertThat(e.code()).isEqualTo("DuplicateTagKeys");
    assertThat(e.getMessage()).isEqualTo("Tags.Key: a (expected: each key once)");
  }

  @Test
  void integer_outOfRange_namesFieldValueAndRange() {
    ApiException e = catchThrowableOfType(ApiException.class, () -> of("Port", "70000").integer("Port", 1, 65535));
    assertThat(e.code()).isEqualTo("ValidationError");
    assertThat(e.getMessage()).isEqualTo("Port: 70000 (expected: 1-65535)");
  }

  @Test
  void required_absent_isMissingParameter() {
    ApiException e = catchThrowableOfType(ApiException.class, () -> of().required("Name"));
    assertThat(e.code()).isEqualTo("MissingParameter");
    assertThat(e.getMessage()).startsWith("Name: (absent)");
  }

  @Test
  void xml_elementAfterTheRoot_isRefused() {
    Xml x = new Xml().root("R", "urn:x").end();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> x.text("After", "v"))
        .isInstanceOf(IllegalStateException.class).hasMessage("xml: <After> outside the root element");
  }

  @Test
  void xml_escapesText() {
    String doc = new Xml().root("R", "urn:x").text("M", "<a & 'b'>").finish();
    assertThat(doc).endsWith("<R xmlns=\"urn:x\"><M>&lt;a &amp; &apos;b&apos;&gt;</M></R>");
  }
}
