package org.veil.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EntityNamesTest {

  private static final Set<String> MISSING = Set.of("public.sd_contact", "shop.category",
      "public.address");

  private final EntityNames names = EntityNames.builder()
      .add("public", "sd_contact", Set.of(), "veil.columns")
      .add("shop", "category", Set.of(), "veil.columns")
      .add("public", "address", Set.of("postal_address"), "@Encrypted on com.acme.Address.street")
      .build();

  @Test
  void casePluralAndUnderscoresGiveTheSameEntity() {
    for (String other : List.of("sd_contacts", "SdContact", "sdcontacts", "SD_CONTACT")) {
      assertThat(names.tablesNamedBy(other, MISSING)).as(other)
          .containsExactly("public.sd_contact");
    }
    assertThat(names.tablesNamedBy("categories", MISSING)).containsExactly("shop.category");
    assertThat(names.tablesNamedBy("addresses", MISSING)).containsExactly("public.address");
    assertThat(names.tablesNamedBy("postal_addresses", MISSING))
        .containsExactly("public.address");
  }

  @Test
  void otherWordsAreOtherEntities() {
    for (String other : List.of("contact", "sd_contract", "sd_contact_log", "categorize",
        "addressbook")) {
      assertThat(names.tablesNamedBy(other, MISSING)).as(other).isEmpty();
    }
  }

  @Test
  void onlyTheGivenTablesAreConsidered() {
    assertThat(names.tablesNamedBy("sd_contacts", Set.of("shop.category"))).isEmpty();
  }

  @Test
  void aScanOfTheWordsFindsAnEntityNamedAnywhereInTheSql() {
    assertThat(names.mayName("INSERT INTO public.\"sd_contacts\" (email) VALUES (?)", MISSING))
        .isTrue();
    assertThat(names.mayName("update Categories set x = 1", MISSING)).isTrue();
    assertThat(names.mayName("INSERT INTO contacts (email) VALUES (?)", MISSING)).isFalse();
    assertThat(names.mayName("INSERT INTO sd_contacts (email) VALUES (?)", Set.of())).isFalse();
  }

  @Test
  void sourceNamesWhereATableWasConfigured() {
    assertThat(names.sourceOf("public.address")).isEqualTo("@Encrypted on com.acme.Address.street");
    assertThat(names.sourceOf("public.sd_contact")).isEqualTo("veil.columns");
  }
}
