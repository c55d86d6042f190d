"""Settings for the test suite: the same as production but fast hashers, mail kept in memory, and a
database and Redis database of the run's own, so a running demo's worker never picks up a test's jobs
and two test runs on one machine (two developers' checkouts, a helper) never share a test database."""
import os
import re

from dealix.settings import *  # noqa: F401,F403
from dealix.settings import CACHES, DATABASES, RQ_QUEUES, REDIS_URL

import tempfile

MEDIA_ROOT = tempfile.mkdtemp(prefix="dealix-test-media-")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
_RUN = os.environ.setdefault("DEALIX_TEST_RUN", str(os.getpid()))  # inherited by the browser tests' server
DATABASES["default"]["TEST"] = {"NAME": f"test_dealix_{_RUN}"}
REDIS_URL = re.sub(r"/\d+$", "", REDIS_URL.rstrip("/")) + f"/{1 + int(_RUN) % 15}"
CACHES["default"]["LOCATION"] = REDIS_URL
for queue in RQ_QUEUES.values():
    queue["URL"] = REDIS_URL
