"""Redis connection options built from REDIS_URL: every form connects, and blocking reads outlast their block."""

import pytest
import redis
from channels_redis.core import RedisChannelLayer
from channels_redis.utils import create_pool
from django.core.exceptions import ImproperlyConfigured

from mentorship.env import redis_channel_layer, redis_connection_options

URLS = ("unix:///tmp/redis.sock?db=2", "redis://127.0.0.1:6379/2", "rediss://redis.example.com:6380/0")


@pytest.mark.parametrize("url", URLS)
def test_it_gives_the_channel_layer_a_socket_timeout_longer_than_its_blocking_read(url):
    host = redis_channel_layer(url, prefix="t")["CONFIG"]["hosts"][0]
    # The pool redis-py builds must accept every option for this kind of URL (unix sockets have no keepalive).
    connection = create_pool(host).make_connection()
    assert connection.socket_timeout > RedisChannelLayer.brpop_timeout
    assert connection.socket_connect_timeout == 5


@pytest.mark.parametrize("url", URLS)
def test_it_builds_command_options_every_redis_url_form_accepts(url):
    client = redis.Redis.from_url(url, **redis_connection_options(url, socket_timeout=3))
    connection = client.connection_pool.make_connection()
    assert connection.socket_timeout == 3
    assert getattr(connection, "socket_keepalive", False) is (not url.startswith("unix://"))


def test_it_refuses_a_redis_url_of_an_unknown_scheme():
    with pytest.raises(ImproperlyConfigured):
        redis_connection_options("http://127.0.0.1:6379/0", socket_timeout=3)


def test_celery_broker_connection_times_out_commands_but_not_its_brpop_poll():
    from mentorship.celery import app

    with app.connection_for_write() as connection:
        channel = connection.default_channel
        timeout = channel.client.connection_pool.connection_kwargs["socket_timeout"]
        assert timeout is not None and timeout > connection.transport.brpop_timeout
