package dev.bucket.governance.threat;

import dev.bucket.governance.Principal;
import dev.bucket.governance.Role;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * T7: a write into one product that belongs to another: an integration of another product, or a body whose
 * {@code product}, {@code product_id} or {@code product_name} field (at any depth, in metadata or data) names a
 * different product. Names are compared ignoring case and punctuation, so "AI Assistant" and {@code ai_assistant}
 * both name {@code AI_Assistant}.
 */
public final class CrossProductDetector implements Detector {

  private static final Pattern NOT_ALPHANUMERIC = Pattern.compile("[^\\p{Alnum}]+");

  @Override
  public List<Finding> inspect(WriteInspection in) {
    Findings out = new Findings();
    String product = in.product();
    if (!in.isWrite() || product == null) {
      return out.list();
    }
    Principal principal = in.principal();
    if (principal.is(Role.INTEGRATION) && !principal.product().equals(product)) {
      out.add(new Finding(Threat.T7, "foreign_principal", Severity.HIGH, null, "integration '" + principal.id()
          + "' belongs to product '" + principal.product() + "' and cannot write to product '" + product + "'"));
    }
    for (WriteInspection.ProductClaim claim : in.productClaims()) {
      if (!canonical(claim.value()).equals(canonical(product))) {
        out.add(new Finding(Threat.T7, "foreign_product_claim", Severity.HIGH, claim.path(), claim.path()
            + " names a product other than '" + product + "', the product written to"));
      }
    }
    return out.list();
  }

  private static String canonical(String productName) {
    return NOT_ALPHANUMERIC.matcher(productName).replaceAll("").toLowerCase(Locale.ROOT);
  }
}
