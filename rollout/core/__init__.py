"""What every feature package shares and none owns: who makes a change (`author`), how a
refused change is explained (`problems`), the optimistic lock (`locking`), who may do what
(`permissions`), text matching (`text`), and the web glue of forms (`forms`, `saving`).

Nothing here imports a feature package, so any feature may import it.
"""
