package org.veil.it.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * The application's side of an online test: threads that read and write through Veil while a
 * tool runs, until stopped. The first failure of any of them is kept for the test to assert on.
 */
final class ApplicationThreads {

  /** What one thread does; it loops while {@code running} says so. */
  interface Body {
    void run(int thread, BooleanSupplier running) throws Exception;
  }

  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final List<Thread> threads = new ArrayList<>();

  private ApplicationThreads() {}

  /** Starts {@code count} threads, numbered from 0, each running {@code body}. */
  static ApplicationThreads start(int count, Body body) {
    ApplicationThreads app = new ApplicationThreads();
    for (int t = 0; t < count; t++) {
      int me = t;
      Thread thread = new Thread(() -> {
        try {
          body.run(me, () -> !app.stop.get());
        } catch (Throwable e) {
          app.failure.compareAndSet(null, e);
        }
      });
      thread.start();
      app.threads.add(thread);
    }
    return app;
  }

  boolean failed() {
    return failure.get() != null;
  }

  /** Stops the threads and waits for them; returns the first failure, or null. */
  Throwable stop() throws InterruptedException {
    stop.set(true);
    for (Thread thread : threads) {
      thread.join();
    }
    return failure.get();
  }
}
