package dev.bucket.governance.threat;

import dev.bucket.governance.OpType;
import java.util.ArrayList;
import java.util.List;

/** T1: a write that is too large for one artifact, or that would take its product past its quota. */
public final class StorageExhaustionDetector implements Detector {

  @Override
  public List<Finding> inspect(WriteInspection in) {
    List<Finding> findings = new ArrayList<>();
    WriteInspection.Quota quota = in.quota();
    if (!writes(in) || quota == null) {
      return findings;
    }
    long size = Math.max(in.declaredSize(), 0);
    if (size > quota.maxArtifactBytes()) {
      findings.add(finding("artifact_too_large", "the declared size of " + size + " bytes exceeds the product's limit "
          + "of " + quota.maxArtifactBytes() + " bytes per artifact"));
    }
    WriteInspection.ProductUsage usage = in.usage();
    if (usage == null) {
      return findings;
    }
    // Compared as "size > room left" so a quota near Long.MAX_VALUE cannot overflow the sum.
    if (size > quota.maxBytes() - usage.bytesUsed()) {
      findings.add(finding("product_bytes_quota", "product '" + in.product() + "' holds " + usage.bytesUsed()
          + " bytes; " + size + " more would exceed its quota of " + quota.maxBytes() + " bytes"));
    }
    // A new version adds bytes to an existing artifact, not another artifact.
    if (in.op() == OpType.CREATE && usage.artifacts() >= quota.maxArtifacts()) {
      findings.add(finding("product_artifact_quota", "product '" + in.product() + "' holds " + usage.artifacts()
          + " artifacts; its quota is " + quota.maxArtifacts()));
    }
    return findings;
  }

  private static boolean writes(WriteInspection in) {
    return in.op() == OpType.CREATE || in.op() == OpType.UPDATE;
  }

  private static Finding finding(String pattern, String detail) {
    return new Finding(Threat.T1, pattern, Severity.HIGH, null, detail);
  }
}
