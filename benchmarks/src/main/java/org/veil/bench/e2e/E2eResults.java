package org.veil.bench.e2e;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Everything one end-to-end run measured, ready to be written as a report. */
public record E2eResults(Settings settings, String server, List<ContenderInfo> contenders,
    Map<String, String> skipped, List<WorkloadResult> workloads, List<KmsCallCount.Count> kmsCalls,
    Duration elapsed) {

  /** A measured contender and what the harness saw in its table at rest. */
  public record ContenderInfo(String id, String description, String atRest) {}

  public record WorkloadResult(String id, String title, List<Outcome> outcomes) {}

  /** A contender's figures on one workload, or why it has none ({@code summary} is then null). */
  public record Outcome(String contender, Samples.Summary summary, String note) {}
}
