package dev.tollgate.sim;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;

/** Receives the events of a streamed reply as they are rendered; the simulator frames and writes each at once. */
@FunctionalInterface
interface EventSink {

    /** @param type the event name ({@code event:} line) for formats that name events, else ignored */
    void emit(String type, JsonNode data) throws IOException;
}
