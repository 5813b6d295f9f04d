"""Pure-Python computations with no Django import (checked by a test)."""
