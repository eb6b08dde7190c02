package org.veil.it.clients;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.veil.config.VeilProperty;
import org.veil.jdbc.VeilDataSource;

/**
 * docs/ADOPTING.md's configuration table is {@link VeilProperty}, row for row: when a setting is
 * added, renamed, or its default or description changes, this fails and prints the table to paste.
 */
class AdoptingGuideIT {

  private static final Path GUIDE = Path.of("..", "docs", "ADOPTING.md");
  private static final String BEGIN = "<!-- veil-properties:begin (AdoptingGuideIT) -->";
  private static final String END = "<!-- veil-properties:end -->";

  @Test
  void configurationTableMatchesVeilProperty() throws Exception {
    String guide = Files.readString(GUIDE, StandardCharsets.UTF_8);
    assertThat(guide).contains(BEGIN).contains(END);
    String documented = guide.substring(guide.indexOf(BEGIN) + BEGIN.length(),
        guide.indexOf(END)).strip();

    assertThat(documented)
        .as("the table in %s, between its markers, should read:%n%s%n", GUIDE, expectedTable())
        .isEqualTo(expectedTable());
  }

  @Test
  void everySettingHasTheVeilDataSourceSetterTheTableNames() throws Exception {
    for (VeilProperty property : VeilProperty.values()) {
      Method setter = VeilDataSource.class.getMethod(setterName(property), String.class);
      assertThat(setter).isNotNull();
    }
  }

  static String expectedTable() {
    StringBuilder table = new StringBuilder()
        .append("| setting | default | values | `VeilDataSource` setter | what it does |\n")
        .append("|---|---|---|---|---|");
    for (VeilProperty p : VeilProperty.values()) {
      table.append("\n| `").append(p.getName()).append("` | ")
          .append(p.getDefaultValue() == null ? "" : "`" + p.getDefaultValue() + "`")
          .append(" | ")
          .append(p.getChoices().length == 0 ? ""
              : "`" + String.join("`, `", p.getChoices()) + "`")
          .append(" | `").append(setterName(p)).append("` | ")
          .append(p.getDescription().replace("|", "\\|")).append(" |");
    }
    return table.toString();
  }

  /** {@code veil.kms.keyId} → {@code setKmsKeyId}. */
  static String setterName(VeilProperty property) {
    StringBuilder name = new StringBuilder("set");
    for (String part : property.getName().substring(VeilProperty.PREFIX.length()).split("\\.")) {
      name.append(part.substring(0, 1).toUpperCase(Locale.ROOT)).append(part.substring(1));
    }
    return name.toString();
  }
}
