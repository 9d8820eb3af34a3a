import smtplib

from celery import shared_task

from .email import email_deliver


@shared_task(
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=6,
    soft_time_limit=30,
    time_limit=60,
)
def send_email(*, to: list[str], subject: str, text: str, html: str) -> None:
    email_deliver(to=to, subject=subject, text=text, html=html)
