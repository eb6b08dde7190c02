package org.veil.it.clients.spring;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;

/** Derived queries on the deterministic {@code email}: Veil seals the bound parameter. */
public interface CustomerRepository extends JpaRepository<Customer, Long> {

  Optional<Customer> findByEmail(String email);

  List<Customer> findByEmailIn(Collection<String> emails);

  boolean existsByEmail(String email);

  List<Customer> findByTier(String tier);

  /** LIKE on an encrypted column: the server cannot compute it, so Veil refuses it. */
  List<Customer> findByEmailContaining(String part);
}
