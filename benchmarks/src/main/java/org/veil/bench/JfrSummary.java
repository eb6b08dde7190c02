package org.veil.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarises a flight recording that the end-to-end harness wrote ({@code -Dbench.jfr=DIR}): where
 * the harness thread spent its CPU samples and what it allocated, by share, so that what is left
 * on the per-row path reads off one page.
 *
 * <p>{@code java -cp … org.veil.bench.JfrSummary FILE.jfr [TOP] [THREAD] [FRAME,…]} prints, for
 * the thread named THREAD ({@code main} by default, the harness's):
 * <ul>
 *   <li>top frames by self time ({@code jdk.ExecutionSample}, the method on top of the stack);</li>
 *   <li>frames by inclusive share (a method counted once per sample wherever it is on the stack),
 *       leaving out the harness's own spine (frames in nearly every sample);</li>
 *   <li>allocation sites by sampled weight ({@code jdk.ObjectAllocationSample}): the allocating
 *       method and class, and the first Veil or pgjdbc frame below it (who asked for it);</li>
 *   <li>for each FRAME given (a substring of {@code Class.method}), the call paths that reach its
 *       CPU samples, most frequent first.</li>
 * </ul>
 * Events in the recorder's own start-up (stacks through {@code jdk.jfr.}) are left out.
 */
public final class JfrSummary {

  private JfrSummary() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: JfrSummary FILE.jfr [TOP] [THREAD]");
      System.exit(2);
    }
    Path file = Path.of(args[0]);
    int top = args.length > 1 ? Integer.parseInt(args[1]) : 25;
    String thread = args.length > 2 ? args[2] : "main";
    List<String> traced = args.length > 3 ? List.of(args[3].split(",")) : List.of();
    Map<String, Map<String, Long>> callers = new HashMap<>();
    Map<String, Long> self = new HashMap<>();
    Map<String, Long> inclusive = new HashMap<>();
    Map<String, Long> allocSite = new HashMap<>();
    Map<String, Long> allocBy = new HashMap<>();
    long samples = 0;
    double allocTotal = 0;
    try (RecordingFile recording = new RecordingFile(file)) {
      while (recording.hasMoreEvents()) {
        RecordedEvent e = recording.readEvent();
        String type = e.getEventType().getName();
        boolean cpu = type.equals("jdk.ExecutionSample");
        boolean alloc = type.equals("jdk.ObjectAllocationSample");
        if (!cpu && !alloc) {
          continue;
        }
        var t = cpu ? e.getThread("sampledThread") : e.getThread("eventThread");
        if (t == null || !thread.equals(t.getJavaName())) {
          continue;
        }
        RecordedStackTrace stack = e.getStackTrace();
        if (stack == null || stack.getFrames().isEmpty()) {
          continue;
        }
        List<RecordedFrame> frames = stack.getFrames();
        if (frames.stream().anyMatch(f -> f.getMethod().getType().getName()
            .startsWith("jdk.jfr."))) {
          continue;
        }
        if (cpu) {
          for (String wanted : traced) {
            for (int i = frames.size() - 1; i >= 0; i--) {
              if (name(frames.get(i)).contains(wanted)) {
                StringBuilder path = new StringBuilder();
                for (int j = i; j < Math.min(frames.size(), i + 7); j++) {
                  path.append(j == i ? "" : " ← ").append(name(frames.get(j)));
                }
                callers.computeIfAbsent(wanted, k -> new HashMap<>())
                    .merge(path.toString(), 1L, Long::sum);
                break;
              }
            }
          }
          samples++;
          self.merge(name(frames.get(0)), 1L, Long::sum);
          Set<String> seen = new HashSet<>();
          for (RecordedFrame f : frames) {
            if (seen.add(name(f))) {
              inclusive.merge(name(f), 1L, Long::sum);
            }
          }
        } else {
          long weight = e.getLong("weight");
          allocTotal += weight;
          String cls = e.getClass("objectClass").getName();
          allocSite.merge(name(frames.get(0)) + " → " + cls, weight, Long::sum);
          allocBy.merge(firstOwnFrame(frames) + " → " + cls, weight, Long::sum);
        }
      }
    }
    System.out.printf(Locale.ROOT, "%s: %,d CPU samples, %,.0f MB of sampled allocation weight,"
        + " thread %s%n%n", file.getFileName(), samples, allocTotal / 1e6, thread);
    print("Top frames by self time", self, samples, top, 1.0);
    print("Frames by inclusive share (below the harness spine)", inclusive, samples, top, 0.95);
    print("Allocation sites (allocating frame → class), by weight", allocSite, allocTotal, top,
        1.0);
    print("Allocation by the first Veil or pgjdbc frame → class, by weight", allocBy, allocTotal,
        top, 1.0);
    for (String wanted : traced) {
      print("Call paths to " + wanted + " (share of all CPU samples)",
          callers.getOrDefault(wanted, Map.of()), samples, 8, 1.01);
    }
  }

  private static void print(String title, Map<String, Long> counts, double total, int top,
      double spine) {
    System.out.println("## " + title);
    counts.entrySet().stream()
        .filter(e -> e.getValue() < spine * total)
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(top)
        .forEach(e -> System.out.printf(Locale.ROOT, "%6.1f%%  %s%n", 100.0 * e.getValue() / total,
            e.getKey()));
    System.out.println();
  }

  private static String name(RecordedFrame f) {
    RecordedMethod m = f.getMethod();
    return m.getType().getName() + "." + m.getName();
  }

  /** The first frame of Veil or pgjdbc (below JDK and provider frames): who asked. */
  private static String firstOwnFrame(List<RecordedFrame> frames) {
    for (RecordedFrame f : frames) {
      String type = f.getMethod().getType().getName();
      if (type.startsWith("org.veil.") || type.startsWith("org.postgresql.")) {
        return name(f);
      }
    }
    return name(frames.get(0));
  }
}
