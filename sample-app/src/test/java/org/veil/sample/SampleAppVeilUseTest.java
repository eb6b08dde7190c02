package org.veil.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The sample application is what a team copies: its main code reaches Veil only through JDBC
 * (no import needed), the annotations, the development database (veil-dev-db) and the one
 * documented call that creates a development master key.
 */
class SampleAppVeilUseTest {

  private static final Pattern VEIL_NAME = Pattern.compile(
      "\\borg\\.veil\\.[a-z][a-z0-9_]*(?:\\.[a-z][a-z0-9_]*)*(?:\\.[A-Z]\\w*|\\.\\*)?");
  private static final Set<String> ALLOWED_PACKAGES = Set.of(
      "org.veil.sample", "org.veil.annotations", "org.veil.testing");
  private static final Set<String> ALLOWED_TYPES = Set.of("org.veil.kms.LocalKeyGen");

  @Test
  void sampleAppMainCodeUsesVeilOnlyThroughJdbcItsAnnotationsAndDocumentedApi()
      throws IOException {
    Path main = Path.of("src", "main", "java");
    List<Path> sources;
    try (Stream<Path> files = Files.walk(main)) {
      sources = files.filter(f -> f.toString().endsWith(".java")).collect(Collectors.toList());
    }
    assertThat(sources).as("the sample's sources, read from " + main.toAbsolutePath())
        .anySatisfy(f -> assertThat(f.getFileName().toString()).isEqualTo("SampleApp.java"));

    Set<String> used = new TreeSet<>();
    for (Path source : sources) {
      Matcher m = VEIL_NAME.matcher(Files.readString(source));
      while (m.find()) {
        used.add(m.group());
      }
    }
    assertThat(used).as("Veil names in the sample's main code").contains(
        "org.veil.annotations.Encrypted", "org.veil.kms.LocalKeyGen");
    assertThat(used).allSatisfy(name -> assertThat(ALLOWED_TYPES.contains(name)
        || ALLOWED_PACKAGES.contains(packageOf(name))).as(name).isTrue());
  }

  private static String packageOf(String name) {
    int last = name.lastIndexOf('.');
    String tail = name.substring(last + 1);
    return tail.equals("*") || Character.isUpperCase(tail.charAt(0))
        ? name.substring(0, last) : name;
  }
}
