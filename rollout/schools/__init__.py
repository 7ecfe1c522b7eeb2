"""Schools of a programme: created and edited by form, API and import (including the national
collège file), with the same validation, optimistic locking and audit whatever the channel."""
