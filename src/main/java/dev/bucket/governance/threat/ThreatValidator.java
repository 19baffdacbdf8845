package dev.bucket.governance.threat;

import java.util.List;

/**
 * Runs every stateless detector (T1, T2, T3, T5, T7, T9, T10) over one request. The stateful ones (T4, T6) are fed
 * events where they happen and T8 is fed chain checks; their findings do not depend on the request in hand.
 */
public final class ThreatValidator {

  private final List<Detector> detectors = List.of(new StorageExhaustionDetector(), new MetadataPoisoningDetector(),
      new SchemaEvolutionDetector(), new ExecutorOverrideDetector(), new CrossProductDetector(),
      new OwnershipDetector(), new ProvenanceDetector());

  public ThreatReport validate(WriteInspection inspection) {
    return new ThreatReport(detectors.stream().flatMap(d -> d.inspect(inspection).stream()).toList());
  }
}
