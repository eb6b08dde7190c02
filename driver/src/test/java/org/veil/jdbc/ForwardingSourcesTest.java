package org.veil.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

class ForwardingSourcesTest {

  private static final Path SOURCES = Path.of("src/main/java/org/veil/jdbc");

  static final java.util.List<ForwardingSources.Spec> SPECS = ForwardingSources.SPECS;

  @ParameterizedTest(name = "{0}")
  @FieldSource("SPECS")
  void committedForwardingClassIsWhatTheGeneratorWrites(ForwardingSources.Spec spec)
      throws IOException {
    String generated = ForwardingSources.generate(spec);
    Path file = SOURCES.resolve(spec.className() + ".java");
    if (Boolean.getBoolean("veil.regenerate")) {
      Files.writeString(file, generated);
    }
    assertThat(file).as("run with -Dveil.regenerate=true to write it").exists();
    assertThat(Files.readString(file)).isEqualTo(generated);
  }
}
