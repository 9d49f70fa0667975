"""Browse: anonymous moviegoers looking around, the bulk of a cinema app's traffic.

Each browser reads the home page (the hot carousel and the movies showing), searches titles,
opens movies, cities and cinemas, lists a movie's showtimes for today or tomorrow, looks at a
poster and opens seat maps, with a few seconds of reading between pages. Nothing is signed in and
nothing changes: every answer must be a 2xx.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from locust import between, task

from loadtests.scenarios._common import API, Json, Moviegoer


class Browser(Moviegoer):
    wait_time = between(1.0, 4.0)

    def on_start(self) -> None:
        self.movies: list[Json] = []
        self.showtimes: list[int] = []
        self.home()

    @task(4)
    def home(self) -> None:
        hot = self.call("GET", f"{API}/movies/hot", name="GET /movies/hot")
        showing = self.call("GET", f"{API}/movies?status=showing&limit=20", name="GET /movies?status=")
        found = [*(hot.body["items"] if hot.ok else ()), *(showing.body["items"] if showing.ok else ())]
        if found:
            self.movies = found

    @task(2)
    def search(self) -> None:
        if not self.movies:
            return
        title = str(self.rng.choice(self.movies)["title"])
        words = title.split() or [title]
        term = self.rng.choice(words)[:3] if self.rng.random() < 0.5 else self.rng.choice(words)
        self.call("GET", f"{API}/movies?{urlencode({'q': term})}", name="GET /movies?q=")

    @task(3)
    def movie(self) -> None:
        if not self.movies:
            return
        movie = self.rng.choice(self.movies)
        self.call("GET", f"{API}/movies/{movie['id']}", name="GET /movies/[id]")
        if movie.get("poster_url"):
            self.call("GET", str(movie["poster_url"]), name="GET poster")
        day = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=self.rng.randint(0, 1))
        listed = self.call(
            "GET",
            f"{API}/showtimes?movie_id={movie['id']}&date={day.isoformat()}",
            name="GET /showtimes?movie_id=",
        )
        if listed.ok and listed.body["items"]:
            self.showtimes = [int(show["id"]) for show in listed.body["items"]]

    @task(1)
    def cinemas(self) -> None:
        cities = self.call("GET", f"{API}/cities", name="GET /cities")
        if not cities.ok or not cities.body["items"]:
            return
        city = self.rng.choice(cities.body["items"])["city"]
        cinemas = self.call("GET", f"{API}/cinemas?{urlencode({'city': city})}", name="GET /cinemas?city=")
        if cinemas.ok and cinemas.body["items"]:
            cinema = self.rng.choice(cinemas.body["items"])
            self.call("GET", f"{API}/cinemas/{cinema['id']}", name="GET /cinemas/[id]")
            self.call("GET", f"{API}/showtimes?cinema_id={cinema['id']}", name="GET /showtimes?cinema_id=")

    @task(3)
    def seats(self) -> None:
        if not self.showtimes:
            return
        showtime_id = self.rng.choice(self.showtimes)
        self.call("GET", f"{API}/showtimes/{showtime_id}", name="GET /showtimes/[id]")
        self.seat_map(showtime_id)
