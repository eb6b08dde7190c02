package org.veil.it.clients.spring;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** A Spring Boot application with Data JPA, as a team already runs it; nothing in it is Veil's. */
@SpringBootApplication
public class RegistryApplication {}
