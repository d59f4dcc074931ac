"""`BleakLink`: the `GattLink` port over Bluetooth LE, with bleak.

Thin on purpose: find the treadmill, connect (timeout, retry with backoff),
read, write, subscribe, and report a link loss. Correlating control-point
responses, merging Treadmill Data and reconnect policy live in `FtmsTreadmill`
above, where they are tested without a radio.

Discovery is by the full 128-bit FTMS service UUID (bleak compares the strings
exactly). When a device is pinned (an address, or a name), only that device is
ever connected to (safety rule 6): other treadmills on the air are ignored,
however strong their signal. Each connect scans afresh, because BlueZ forgets
devices some time after a scan and a stale handle fails with "not found".

Radio timeouts (scan, connect) are wall time, as the radio is; the backoff
between attempts follows the injected clock. Only the first connect retries
(`retries`, with "looking for ... (try 2 of 4)" progress): once connected, each
`connect()` is one scan and one attempt, because the reconnect loop above owns
the retries and a retrying call inside a retrying loop multiplies the scans.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from treadpace.base.backoff import Backoff, Retrying
from treadpace.base.clock import Clock, RealClock
from treadpace.base.user_error import UserError
from treadpace.ftms import FTMS_SERVICE
from treadpace.treadmill.ble_scan import adapter_args, scan_lock
from treadpace.treadmill.ble_text import not_available, plain
from treadpace.treadmill.port import AttError, NotConnected, NotifyCallback, TreadmillError

if TYPE_CHECKING:
    from bleak import BleakClient
    from bleak.backends.device import BLEDevice
    from bleak.backends.scanner import AdvertisementData

    from treadpace.treadmill.port import GattLink

log = logging.getLogger(__name__)

_ADDRESS = re.compile(r"^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$")


class BleError(TreadmillError):
    """A Bluetooth operation failed; `code` is the ATT error code when there is one."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class DeviceNotFound(BleError):
    """No matching treadmill advertised within the scan time."""


class BluetoothUnavailable(BleError, UserError):
    """Bluetooth itself is unusable here (no system bus, BlueZ not running, no adapter).

    Not this treadmill's fault and nothing a retry mends: like bad input, one line that
    says what to do and exit 2, whichever command met it (`scan`, `info`, `run`).
    """


def unavailable(exc: BaseException) -> str | None:
    """A one-line reason when `exc` says Bluetooth is unusable (not just this device)."""
    from bleak.exc import BleakDBusError, BleakError

    if isinstance(exc, FileNotFoundError | ConnectionRefusedError):
        return (
            f"Bluetooth: the system D-Bus is not reachable ({exc.strerror or exc}): start it "
            "(systemctl start dbus), or point DBUS_SYSTEM_BUS_ADDRESS at its socket"
        )
    if isinstance(exc, BleakDBusError) and exc.dbus_error in (
        "org.freedesktop.DBus.Error.ServiceUnknown",
        "org.freedesktop.DBus.Error.NameHasNoOwner",
    ):
        return "Bluetooth: BlueZ (bluetoothd) is not running: start it (systemctl start bluetooth)"
    sentence = not_available(exc)
    if sentence is not None:
        return sentence
    if isinstance(exc, BleakError) and "adapter" in _one_line(exc).lower():
        return f"Bluetooth: no usable adapter ({_one_line(exc)})"
    return None


def is_address(text: str) -> bool:
    return bool(_ADDRESS.match(text))


def matches(target: str | None, address: str, name: str | None) -> bool:
    """Whether an advertiser is the pinned device (address, else exact name; None: any)."""
    if target is None:
        return True
    if is_address(target):
        return address.upper().replace("-", ":") == target.upper().replace("-", ":")
    return name is not None and name.strip().casefold() == target.strip().casefold()


async def find_device(
    target: str | None,
    *,
    timeout: float,
    service_uuid: str = FTMS_SERVICE,
    adapter: str | None = None,
) -> tuple[BLEDevice, AdvertisementData]:
    """Scan for `service_uuid` until the pinned device (or, unpinned, any) advertises."""
    from bleak import BleakScanner

    loop = asyncio.get_running_loop()
    found: asyncio.Future[tuple[BLEDevice, AdvertisementData]] = loop.create_future()

    def seen(device: BLEDevice, adv: AdvertisementData) -> None:
        if found.done():
            return
        if matches(target, device.address, adv.local_name or device.name):
            found.set_result((device, adv))
        else:
            log.debug("ignoring %s (%s): not the pinned device", device.address, adv.local_name)

    scanner = BleakScanner(
        detection_callback=seen, service_uuids=[service_uuid], **adapter_args(adapter)
    )
    async with scan_lock(), scanner:  # one scan at a time in the process (ble_scan.py)
        try:
            return await asyncio.wait_for(found, timeout)
        except TimeoutError:
            what = target or "any treadmill"
            raise DeviceNotFound(f"{what}: not found (scanned {timeout:g} s)") from None


class BleakLink:
    """One connection to one FTMS treadmill over bleak (implements `GattLink`)."""

    def __init__(
        self,
        address_or_name: str | None,
        clock: Clock | None = None,
        *,
        connect_timeout: float = 10.0,
        scan_timeout: float = 10.0,
        retries: int = 3,
        backoff: float = 1.0,
        adapter: str | None = None,
        service_uuid: str = FTMS_SERVICE,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.target = address_or_name
        # Told "looking for ... (try 2 of 4)" until the first connect succeeds.
        self._progress = progress
        self._clock: Clock = clock if clock is not None else RealClock()
        self._connect_timeout = connect_timeout
        self._scan_timeout = scan_timeout
        self._retries = retries
        self._backoff = backoff
        self._adapter = adapter
        self._service_uuid = service_uuid
        self._client: BleakClient | None = None
        self._address: str | None = None
        self._device_name: str | None = None
        self._props: dict[str, frozenset[str]] = {}
        self._callbacks: list[Callable[[], None]] = []
        # Clients whose link dropped: bleak releases a client's D-Bus connection only in
        # disconnect(), so each is disconnected before the next connect and at teardown.
        self._lost: list[BleakClient] = []
        self._closing = False
        self._ever_connected = False

    # --- identity -------------------------------------------------------------------

    @property
    def name(self) -> str:
        if self._address is None:
            return self.target or "treadmill"
        return f"{self._address} ({self._device_name})" if self._device_name else self._address

    @property
    def address(self) -> str | None:
        return self._address

    @property
    def is_connected(self) -> bool:
        return self._client is not None and self._client.is_connected

    # --- connection -----------------------------------------------------------------

    async def connect(self) -> None:
        """Scan for the pinned device and connect.

        The first connect retries with backoff on the clock; later ones (reconnects)
        make one attempt: their caller's loop owns the retries.
        """
        if self.is_connected:
            return
        await self._release_lost()
        last: Exception | None = None
        tries = 1 if self._ever_connected else self._retries + 1
        retrying = Retrying(Backoff(first=self._backoff, cap=30.0, attempts=tries), self._clock)
        began = time.monotonic()  # the true time the runner waited, radio and backoff
        while True:
            if self._progress is not None:
                self._progress(
                    f"looking for {self.target or 'a treadmill'} "
                    f"(try {retrying.attempt} of {tries})"
                )
            try:
                await self._connect_once()
                self._progress = None
                self._ever_connected = True
                return
            except Exception as exc:  # bleak's errors are imported lazily
                if not isinstance(exc, BleError | OSError | TimeoutError) and not (
                    _is_bleak_error(exc)
                ):
                    raise
                reason = unavailable(exc)
                if reason is not None:
                    raise BluetoothUnavailable(reason) from None
                last = exc
            delay = retrying.failed()
            if retrying.exhausted:
                break
            log.info("connect to %s failed (%s); retrying in %g s", self.name, last, delay)
            await self._clock.sleep(delay)
        if isinstance(last, DeviceNotFound):
            what = self.target or "any treadmill"
            waited = time.monotonic() - began
            scans = "1 scan" if tries == 1 else f"{tries} scans"
            raise DeviceNotFound(f"{what}: not found after {scans} ({_seconds(waited)})")
        raise NotConnected(f"{self.name}: cannot connect: {_one_line(last)}")

    async def _connect_once(self) -> None:
        from bleak import BleakClient

        device, adv = await find_device(
            self.target,
            timeout=self._scan_timeout,
            service_uuid=self._service_uuid,
            adapter=self._adapter,
        )
        self._address = device.address
        self._device_name = adv.local_name or device.name
        client = BleakClient(
            device,
            disconnected_callback=self._on_bleak_disconnect,
            timeout=self._connect_timeout,
            **adapter_args(self._adapter),
        )
        self._closing = False
        await client.connect()
        self._client = client
        self._props = {
            char.uuid.lower(): frozenset(char.properties)
            for service in client.services
            for char in service.characteristics
        }

    async def disconnect(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            self._closing = True
            await self._disconnect_client(client)
        await self._release_lost()

    async def _release_lost(self) -> None:
        lost, self._lost = self._lost, []
        for client in lost:
            await self._disconnect_client(client)

    async def _disconnect_client(self, client: BleakClient) -> None:
        try:
            await client.disconnect()
        except Exception as exc:  # a dying link may refuse even this
            log.debug("disconnect from %s: %s", self.name, exc)

    def _on_bleak_disconnect(self, client: BleakClient) -> None:
        if client is not self._client or self._closing:
            return  # our own disconnect, or an old client's late farewell
        self._client = None
        self._lost.append(client)
        log.info("link to %s lost", self.name)
        for callback in list(self._callbacks):
            callback()

    def on_disconnect(self, callback: Callable[[], None]) -> None:
        self._callbacks.append(callback)

    # --- GATT -----------------------------------------------------------------------

    def has_characteristic(self, uuid: str) -> bool:
        return uuid.lower() in self._props

    def can_indicate(self, uuid: str) -> bool:
        return "indicate" in self._props.get(uuid.lower(), frozenset())

    def _require(self) -> BleakClient:
        client = self._client
        if client is None or not client.is_connected:
            raise NotConnected(f"{self.name}: not connected")
        return client

    async def read(self, uuid: str) -> bytes:
        client = self._require()
        try:
            return bytes(await client.read_gatt_char(uuid))
        except Exception as exc:
            raise self._translate(exc, f"read {uuid}") from None

    async def write(self, uuid: str, data: bytes, *, with_response: bool = True) -> None:
        client = self._require()
        try:
            await client.write_gatt_char(uuid, data, response=with_response)
        except Exception as exc:
            raise self._translate(exc, f"write {uuid}") from None

    async def subscribe(self, uuid: str, callback: NotifyCallback) -> None:
        client = self._require()

        def deliver(_char: object, data: bytearray) -> None:
            callback(bytes(data))

        try:
            await client.start_notify(uuid, deliver)
        except Exception as exc:
            raise self._translate(exc, f"subscribe {uuid}") from None

    def _translate(self, exc: Exception, what: str) -> Exception:
        if not _is_bleak_error(exc) and not isinstance(exc, OSError | TimeoutError):
            return exc
        if not self.is_connected:
            return NotConnected(f"{self.name}: {what}: link lost")
        from bleak.exc import BleakGATTProtocolError

        text = f"{self.name}: {what}: {_one_line(exc)}"
        if isinstance(exc, BleakGATTProtocolError):
            return AttError(text, int(exc.code))
        return BleError(text)


def _seconds(s: float) -> str:
    return f"{s:.1f} s" if s < 10 else f"{s:.0f} s"


def _is_bleak_error(exc: BaseException) -> bool:
    from bleak.exc import BleakError

    return isinstance(exc, BleakError)


def _one_line(exc: BaseException | None) -> str:
    return plain(exc)  # never a tuple or an enum repr (ble_text.py)


if TYPE_CHECKING:

    def _is_a_gatt_link(link: BleakLink) -> GattLink:
        return link  # mypy checks that BleakLink satisfies the port
