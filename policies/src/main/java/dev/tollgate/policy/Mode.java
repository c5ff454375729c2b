package dev.tollgate.policy;

/** {@code enforce} refuses what the policy denies; {@code monitor} lets everything run and logs what it would refuse. */
public enum Mode { ENFORCE, MONITOR }
