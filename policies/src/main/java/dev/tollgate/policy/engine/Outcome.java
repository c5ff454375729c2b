package dev.tollgate.policy.engine;

/** allow: nothing objected; deny: a rule objected (refused unless monitor mode or warn); warn: a warn-limit passed. */
public enum Outcome { ALLOW, DENY, WARN }
