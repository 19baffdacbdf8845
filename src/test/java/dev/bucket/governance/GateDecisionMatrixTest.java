package dev.bucket.governance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bucket.governance.rules.RuleSet;
import dev.bucket.governance.rules.RuleSetLoader;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Every product x every class named anywhere in conf/governance.json x every operation, for each kind of principal.
 * Expectations come from the table below and the rules spelled out in {@link #expected}, written independently of
 * the production code: if either the code or the shipped rules drift from them, this test names each cell that did.
 */
class GateDecisionMatrixTest {

  /** Per product, each class it names: the operations its rule permits (C, R, U), or "forbidden". */
  static final String TABLE = """
      AI_Assistant        metadata              C R U
      AI_Assistant        artifact_manifest     C R U
      AI_Assistant        audit_entry           C R
      AI_Assistant        direct_schema_change  forbidden
      AI_Assistant        system_config         forbidden
      AI_Avatar           avatar_config         C R U
      AI_Avatar           model_checkpoint      C R
      AI_Avatar           iteration_history     C R
      AI_Avatar           access_control        forbidden
      AI_Avatar           governance_rule       forbidden
      Gurukul             lesson_content        C R U
      Gurukul             assessment            C R U
      Gurukul             learner_progress      C R U
      Gurukul             system_config         forbidden
      Gurukul             access_control        forbidden
      Workflow_Engine     workflow_state        C R U
      Workflow_Engine     event_history         C R
      Workflow_Engine     governance_rule       forbidden
      Workflow_Engine     system_config         forbidden
      Enforcement_Engine  decision_record       C R
      Enforcement_Engine  enforcement_log       C R
      Enforcement_Engine  governance_rule       forbidden
      Enforcement_Engine  access_control        forbidden
      """;

  static final long MAX = 1_000_000L;
  static final long SIZE = 1_000L;

  /** product -> class -> permitted operations, or null when the class is forbidden for the product. */
  static final Map<String, Map<String, Set<OpType>>> EXPECTED_RULES = new LinkedHashMap<>();

  static {
    for (String line : TABLE.strip().split("\n")) {
      String[] cells = line.trim().split("\\s+");
      Set<OpType> permitted = null;
      if (!cells[2].equals("forbidden")) {
        permitted = EnumSet.noneOf(OpType.class);
        for (int i = 2; i < cells.length; i++) {
          permitted.add(switch (cells[i]) {
            case "C" -> OpType.CREATE;
            case "R" -> OpType.READ;
            case "U" -> OpType.UPDATE;
            default -> throw new IllegalStateException("unknown operation letter in: " + line);
          });
        }
      }
      EXPECTED_RULES.computeIfAbsent(cells[0], p -> new LinkedHashMap<>()).put(cells[1], permitted);
    }
  }

  static Refusal expected(Principal principal, String product, String artifactClass, OpType op) {
    if (principal.role() == Role.INTEGRATION && !principal.product().equals(product)) {
      return Refusal.CROSS_PRODUCT;
    }
    if (op == OpType.DELETE) {
      return Refusal.OPERATION_FORBIDDEN;
    }
    if (op != OpType.READ && principal.role() != Role.INTEGRATION) {
      return Refusal.ROLE_FORBIDDEN;
    }
    if (op == OpType.READ && principal.role() == Role.EXECUTOR) {
      return Refusal.ROLE_FORBIDDEN;
    }
    Map<String, Set<OpType>> named = EXPECTED_RULES.get(product);
    if (named.containsKey(artifactClass) && named.get(artifactClass) == null) {
      return Refusal.CLASS_FORBIDDEN;
    }
    if (!named.containsKey(artifactClass)) {
      return Refusal.CLASS_NOT_ALLOWED;
    }
    return named.get(artifactClass).contains(op) ? null : Refusal.OPERATION_FORBIDDEN;
  }

  /** Every class the shipped file names, read from the raw JSON rather than through the loader. */
  static Set<String> classesNamedInConf() throws IOException {
    JsonObject file = new JsonObject(Files.readString(Path.of("conf", "governance.json")));
    Set<String> classes = new TreeSet<>(file.getJsonObject("operation_rules").fieldNames());
    JsonObject products = file.getJsonObject("products");
    for (String product : products.fieldNames()) {
      products.getJsonObject(product).getJsonArray("allowed_classes").forEach(c -> classes.add((String) c));
      products.getJsonObject(product).getJsonArray("forbidden_classes").forEach(c -> classes.add((String) c));
    }
    return classes;
  }

  @Test
  void theTableNamesExactlyTheProductsAndClassesOfTheShippedFile() throws IOException {
    JsonObject file = new JsonObject(Files.readString(Path.of("conf", "governance.json")));
    Set<String> tableClasses = new TreeSet<>();
    EXPECTED_RULES.values().forEach(named -> tableClasses.addAll(named.keySet()));

    assertThat(EXPECTED_RULES.keySet()).isEqualTo(file.getJsonObject("products").fieldNames());
    assertThat(tableClasses).isEqualTo(classesNamedInConf()).hasSize(17);
  }

  @Test
  void everyDecisionOfTheFullMatrixMatchesTheTable() throws IOException {
    RuleSet rules = RuleSetLoader.load(Path.of("conf", "governance.json"));
    List<String> products = List.copyOf(EXPECTED_RULES.keySet());
    List<String> mismatches = new ArrayList<>();
    int decisions = 0;
    int allowed = 0;

    for (String product : products) {
      List<Principal> principals = new ArrayList<>();
      principals.add(new Principal("int-" + product, Role.INTEGRATION, product));
      products.stream().filter(other -> !other.equals(product))
          .forEach(other -> principals.add(new Principal("int-" + other, Role.INTEGRATION, other)));
      principals.add(new Principal("owner", Role.OWNER, null));
      principals.add(new Principal("auditor", Role.AUDITOR, null));
      principals.add(new Principal("executor", Role.EXECUTOR, null));

      for (String artifactClass : classesNamedInConf()) {
        for (OpType op : OpType.values()) {
          for (Principal principal : principals) {
            Verdict verdict = GateDecision.decide(principal,
                new OperationRequest(product, artifactClass, op, SIZE), rules, MAX);
            Refusal want = expected(principal, product, artifactClass, op);
            decisions++;
            allowed += verdict.allowed() ? 1 : 0;
            if (verdict.allowed() != (want == null) || verdict.refusal() != want
                || verdict.rulesVersion() != rules.version()) {
              mismatches.add(principal.role() + "(" + principal.product() + ") " + op + " " + product + "/"
                  + artifactClass + ": expected " + (want == null ? "allowed" : want) + ", got "
                  + (verdict.allowed() ? "allowed" : verdict.refusal()));
            }
          }
        }
      }
    }

    assertThat(mismatches).isEmpty();
    // 5 products x 17 classes x 4 operations x (own + 4 other integrations + owner + auditor + executor)
    assertThat(decisions).isEqualTo(5 * 17 * 4 * 8);
    // own integration: 13 classes x (C + R) + 7 with U; owner and auditor: 13 reads each
    assertThat(allowed).isEqualTo(13 * 2 + 7 + 13 + 13);
  }
}
