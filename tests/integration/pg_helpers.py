"""What the Python integration tests share: the harness server's environment, psql, a free port."""
import os
import socket
import subprocess


def pg_env(env_file):
    """This process's environment with the harness's PGHOST, PGPORT, PGUSER and PGDATABASE."""
    env = dict(os.environ)
    with open(env_file) as f:
        for line in f:
            key, _, value = line.strip().partition("=")
            if key:
                env[key] = value
    return env


def psql(env_file, sql, database):
    """One statement through psql; its output, trimmed. Fails the test on an error."""
    env = dict(pg_env(env_file), PGDATABASE=database)
    out = subprocess.run(["psql", "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", sql], env=env,
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
