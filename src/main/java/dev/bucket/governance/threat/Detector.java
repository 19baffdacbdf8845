package dev.bucket.governance.threat;

import java.util.List;

/** A check for one threat that needs nothing but the request in front of it. */
public interface Detector {

  /** What this request shows of the threat; empty when nothing. Never throws on hostile input. */
  List<Finding> inspect(WriteInspection inspection);
}
