from django import forms
from django.http import HttpResponse
from django.template import engines
from django.urls import path

PAGE = engines["django"].from_string(
    "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Contact</title></head>"
    "<body><main><h1>Contact us</h1><form method='post'>{{ form }}"
    "<button type='submit'>Send</button></form></main></body></html>"
)


class ContactForm(forms.Form):
    email = forms.EmailField(label="Your email")
    subject = forms.CharField(label="Subject", max_length=255)
    message = forms.CharField(label="Message", widget=forms.Textarea)


def contact(request):
    return HttpResponse(PAGE.render({"form": ContactForm()}, request))


urlpatterns = [path("", contact)]
