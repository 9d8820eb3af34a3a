# Same as en_GB: a browser asking for plain "en" still sees 31 March 2027 and 14:30.
from wellschools.formats.en_GB.formats import *  # noqa: F403
