"""Settings for the test suite: the same as production but fast hashers, mail kept in memory, and a
Redis database of its own so a running demo's worker never picks up a test's jobs."""
import re

from dealix.settings import *  # noqa: F401,F403
from dealix.settings import CACHES, RQ_QUEUES, REDIS_URL

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
REDIS_URL = re.sub(r"/\d+$", "", REDIS_URL.rstrip("/")) + "/1"
CACHES["default"]["LOCATION"] = REDIS_URL
for queue in RQ_QUEUES.values():
    queue["URL"] = REDIS_URL
