package dev.bucket.governance.threat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Collects a detector's findings: one per pattern and place, and at most {@link #PER_PATTERN} per pattern, so a body
 * built to match thousands of times yields a short report (no amplification) while every kind of problem still shows.
 */
final class Findings {

  static final int PER_PATTERN = 10;

  private final List<Finding> findings = new ArrayList<>();
  private final Set<String> seen = new HashSet<>();
  private final Map<String, Integer> perPattern = new HashMap<>();

  void add(Finding finding) {
    if (perPattern.getOrDefault(finding.pattern(), 0) < PER_PATTERN
        && seen.add(finding.pattern() + "\u0000" + finding.path())) {
      perPattern.merge(finding.pattern(), 1, Integer::sum);
      findings.add(finding);
    }
  }

  List<Finding> list() {
    return List.copyOf(findings);
  }
}
